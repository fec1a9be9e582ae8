import { Session } from 'chdb';
const s = new Session('/tmp/q-chdb');
const r = await s.queryAsync(process.argv[2], { format: 'TabSeparated' });
console.log(r.text());
s.close();

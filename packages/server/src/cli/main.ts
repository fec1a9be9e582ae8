import { Command, InvalidArgumentError } from 'commander';
import { KEY_SCOPES, type KeyScope } from '@tollgate/core';
import { ConfigurationError, loadConfiguration, type Configuration } from '../config';
import { checkCommand } from './check-command';
import { demoCommand } from './demo-command';
import { exportEventsCommand, type ExportEventsOptions } from './export-command';
import { keysCreateCommand, type KeysCreateOptions } from './keys-command';
import { migrateCommand } from './migrate-command';
import { chargebackCommand, type ChargebackCommandOptions } from './report-command';
import { retentionRunCommand } from './retention-command';
import { secretsRotateCommand } from './secrets-command';
import type { RemoteOptions } from './running-server';
import { serveCommand } from './serve-command';

/**
 * While `tollgate serve` holds the embedded stores, these commands go through
 * its API (found from `<data dir>/server.json`, or named here) with an admin key.
 */
const urlOption = [
  '--url <url>',
  'a running Tollgate server to go through (or TOLLGATE_URL; found from the data directory when it runs there)',
] as const;
const adminKeyOption = [
  '--admin-key <adminKey>',
  'an admin key for the running server (or TOLLGATE_ADMIN_KEY)',
] as const;

function configuration(): Configuration {
  try {
    return loadConfiguration();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`tollgate: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

function parseScopes(value: string): KeyScope[] {
  const scopes = value.split(',').map((scope) => scope.trim());
  for (const scope of scopes) {
    if (!(KEY_SCOPES as readonly string[]).includes(scope)) {
      throw new InvalidArgumentError(`unknown scope "${scope}" (one of ${KEY_SCOPES.join(', ')})`);
    }
  }
  return scopes as KeyScope[];
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError('must be a positive integer');
  return number;
}

const program = new Command('tollgate').description(
  'Tollgate: LLM gateway and observability platform',
);

program
  .command('serve')
  .description('serve the gateway, API and dashboard')
  .action(() => serveCommand(configuration()));

program
  .command('migrate')
  .description('apply the schemas to the configured stores')
  .action(() => migrateCommand(configuration()));

program
  .command('secrets')
  .description('the master key (TOLLGATE_SECRET_KEY) that wraps provider secrets and content keys')
  .command('rotate')
  .description(
    'with the servers stopped: re-wrap every secret from TOLLGATE_PREVIOUS_SECRET_KEY (or the generated key) to TOLLGATE_SECRET_KEY',
  )
  .action(() => secretsRotateCommand(configuration()));

program
  .command('check')
  .description(
    'list every table of the event store with engine, rows and size; exit 1 if any is missing',
  )
  .option(...urlOption)
  .option(...adminKeyOption)
  .action((options: RemoteOptions) => checkCommand(configuration(), options));

program
  .command('keys')
  .description('manage API keys')
  .command('create')
  .description('create an API key for a project (printed once)')
  .requiredOption('--project <projectId>', 'project the key belongs to')
  .option('--scopes <scopes>', `comma-separated scopes (${KEY_SCOPES.join(', ')})`, parseScopes, [
    'gateway',
    'ingest',
    'read',
  ] as KeyScope[])
  .option('--name <name>', 'a name to recognise the key by', 'cli key')
  .option('--expires-in-days <days>', 'expire the key after this many days', parsePositiveInteger)
  .option(...urlOption)
  .option(...adminKeyOption)
  .action((options: KeysCreateOptions) => keysCreateCommand(configuration(), options));

program
  .command('demo')
  .description('send realistic mixed traffic through a running gateway (simulated provider)')
  .option('--url <url>', 'the Tollgate server', 'http://127.0.0.1:4000')
  .option('--key <projectKey>', 'a project key (or TOLLGATE_PROJECT_KEY)')
  .option(
    '--admin-key <adminKey>',
    'an admin key, to add failing demo routes (or TOLLGATE_ADMIN_KEY)',
  )
  .option('--iterations <n>', 'how many calls or agent runs', parsePositiveInteger, 300)
  .option('--concurrency <n>', 'parallel clients', parsePositiveInteger, 4)
  .option('--seed <n>', 'seed of the workload mix', parsePositiveInteger, 42)
  .action(demoCommand);

program
  .command('report')
  .description('reports read from the stores')
  .command('chargeback')
  .description('requests, tokens, cost and amount to charge per org and operation kind')
  .requiredOption('--from <time>', 'start of the billing period (ISO-8601 or epoch ms)')
  .requiredOption('--to <time>', 'end of the billing period, exclusive')
  .option('--org <orgId>', 'one organization (default: every organization)')
  .option('--rate <rate>', "chargeback rate for every org (default: the org's own, else 1.2)")
  .option('--csv', 'CSV instead of JSON')
  .option(...urlOption)
  .option(...adminKeyOption)
  .action((options: ChargebackCommandOptions) => chargebackCommand(configuration(), options));

program
  .command('export')
  .description('stored data, as the API presents it')
  .command('events')
  .description('every event of a range as NDJSON, encrypted content opened')
  .requiredOption('--from <time>', 'start (ISO-8601 or epoch ms)')
  .requiredOption('--to <time>', 'end, exclusive')
  .option(
    '--org <orgId>',
    "one organization (default: the admin key's, or every one without a server)",
  )
  .option('--project <projectId>', 'one project')
  .option(...urlOption)
  .option(...adminKeyOption)
  .action((options: ExportEventsOptions) => exportEventsCommand(configuration(), options));

program
  .command('retention')
  .description("apply each organization's data retention")
  .command('run')
  .description("delete stored data older than each org's retention now (the daily job's work)")
  .option(...urlOption)
  .option(...adminKeyOption)
  .action((options: RemoteOptions) => retentionRunCommand(configuration(), options));

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`tollgate: ${(error as Error).message}`);
  process.exit(1);
});

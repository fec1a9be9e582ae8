import { runDemoTraffic } from '../demo/demo-traffic';

export async function demoCommand(options: {
  url: string;
  key?: string;
  adminKey?: string;
  iterations: number;
  concurrency: number;
  seed: number;
}): Promise<void> {
  const projectKey = options.key ?? process.env.TOLLGATE_PROJECT_KEY;
  if (!projectKey) {
    console.error(
      'tollgate demo: pass --key <project key> (printed at first start) or set TOLLGATE_PROJECT_KEY',
    );
    process.exitCode = 2;
    return;
  }
  console.log(`sending demo traffic to ${options.url} (simulated provider: no credentials needed)`);
  const summary = await runDemoTraffic({
    baseUrl: options.url.replace(/\/$/, ''),
    projectKey,
    adminKey: options.adminKey ?? process.env.TOLLGATE_ADMIN_KEY,
    iterations: options.iterations,
    concurrency: options.concurrency,
    seed: options.seed,
    log: (line) => console.log(`  ${line}`),
  });
  console.log(
    `done: ${summary.calls} gateway calls (${summary.streamed} streamed, ${summary.failed} failed), ` +
      `${summary.agentRuns} agent runs with ${summary.events} step and tool-call events`,
  );
}

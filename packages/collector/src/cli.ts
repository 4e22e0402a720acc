#!/usr/bin/env node
import { CollectorError } from './collector-error.js';
import { HELP, loadPublicKeyFiles, parseCliArgs, UsageError } from './cli-options.js';
import { startCollector } from './start-collector.js';
import { VERSION } from './version.js';

async function main(argv: string[]): Promise<number> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(
      `tributary-collector: ${error.message}\nRun tributary-collector --help for the options.`,
    );
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command.kind === 'version') {
    console.log(VERSION);
    return 0;
  }
  const { options, publicKeyFiles, dbLabel } = command;
  if (publicKeyFiles.length > 0)
    options.oauth = { ...options.oauth, ...(await loadPublicKeyFiles(publicKeyFiles)) };
  const collector = await startCollector(options);
  const auth = options.writeKeys?.length
    ? `only ${options.writeKeys.length} configured write key(s)`
    : 'any write key';
  console.log(`Tributary collector ${VERSION} listening on ${collector.url}
  debugger   ${collector.url}/
  ingest     POST ${collector.url}/v1/batch  (accepting ${auth})
  oauth      POST ${collector.url}/token${options.oauth?.publicKeys || options.oauth?.jwks ? '' : '  (no public key: --oauth-public-key)'}
  storage    ${dbLabel}`);
  if (options.faults !== undefined) console.log(`  faults     ${JSON.stringify(options.faults)}`);
  console.log('Press Ctrl+C to stop.');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await collector.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message =
      error instanceof CollectorError
        ? error.message
        : error instanceof Error
          ? error.stack
          : String(error);
    console.error(`tributary-collector: ${message}`);
    process.exitCode = 1;
  },
);

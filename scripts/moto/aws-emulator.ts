/**
 * The abalone reference system in the moto harness, for the aws e2e
 * (scripts/e2e-aws.sh): starts it, prints `AWS_EMULATOR_ENDPOINT=<url>` and
 * runs until SIGTERM/SIGINT, which stops moto by its pid.
 *
 *   node_modules/.bin/tsx scripts/moto/aws-emulator.ts [--step-seconds 3] [--cors-origin http://localhost:7007]
 */
import { startMotoAccount } from '../../plugins/mlops-backend-module-aws/src/engine/__testUtils__/motoAccount';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const account = await startMotoAccount({
    stepSeconds: Number(arg('--step-seconds') ?? 3),
    corsOrigins: [arg('--cors-origin') ?? 'http://localhost:7007'],
  });
  const stop = async () => {
    const ops = await account.harness.operations().catch(() => ({}));
    process.stdout.write(`AWS_EMULATOR_OPERATIONS=${JSON.stringify(ops)}\n`);
    await account.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(
    `AWS_EMULATOR_ENDPOINT=${account.harness.endpoint}\nAWS_EMULATOR_PID=${account.harness.pid}\n`,
  );
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});

/**
 * Release stage "MLPipeline": start the SageMaker pipeline on the data set
 * named by the data manifest, wait, fail on gate failure, and write the
 * registered model package ARN for the next stages.
 *   PIPELINE_NAME, MANIFEST_FILE, RESULT_FILE (default ml-pipeline-result.json)
 */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { readFileSync, writeFileSync } from 'fs';
import { inputDataUrlFromManifest, runPipeline } from './release-steps';

async function main() {
  const pipelineName = process.env.PIPELINE_NAME;
  if (!pipelineName) throw new Error('PIPELINE_NAME is required');
  const parameters: Record<string, string> = {};
  const manifestFile = process.env.MANIFEST_FILE;
  if (manifestFile)
    parameters.InputDataUrl = inputDataUrlFromManifest(
      readFileSync(manifestFile, 'utf8'),
      manifestFile,
    );
  const result = await runPipeline(new SageMakerClient({}), {
    pipelineName,
    parameters,
    pollSeconds: Number(process.env.POLL_SECONDS ?? 30),
    timeoutMinutes: Number(process.env.TIMEOUT_MINUTES ?? 120),
  });
  writeFileSync(
    process.env.RESULT_FILE ?? 'ml-pipeline-result.json',
    `${JSON.stringify(result, null, 2)}\n`,
  );
}

main().catch(e => {
  console.error(`ML pipeline stage failed: ${(e as Error).message}`);
  process.exit(1);
});

/**
 * SageMaker Data Capture files (JSON lines): each line one invocation,
 * `{captureData: {endpointInput, endpointOutput: {observedContentType, mode,
 * data, encoding}}, eventMetadata, eventVersion}`. Only the outputs matter
 * here; with `captureContentTypeHeader` listing text/csv the data is the CSV
 * text itself (encoding CSV), otherwise base64 (encoding BASE64).
 */

export interface CaptureOutputs {
  /** The endpoint's answer (CSV text) per usable line. */
  outputs: string[];
  lines: number;
  /** Lines skipped (not JSON, no output, not CSV, unknown encoding), with the first few reasons. */
  skipped: number;
  problems: string[];
  /** The text was cut at the byte or line cap. */
  truncated: boolean;
}

const MAX_PROBLEMS = 5;
const MAX_PROBLEM_CHARS = 200;

/**
 * Outputs of a capture file's text. `complete` is false when the text is a
 * prefix of the object (a ranged read): its last line may be cut and is dropped.
 */
export function captureOutputs(
  text: string,
  opts: { maxLines: number; complete: boolean },
): CaptureOutputs {
  let lines = text.split('\n');
  let truncated = !opts.complete;
  if (!opts.complete) lines = lines.slice(0, -1);
  lines = lines.filter(l => l.trim() !== '');
  if (lines.length > opts.maxLines) {
    lines = lines.slice(0, opts.maxLines);
    truncated = true;
  }
  const result: CaptureOutputs = {
    outputs: [],
    lines: lines.length,
    skipped: 0,
    problems: [],
    truncated,
  };
  const skip = (n: number, why: string) => {
    result.skipped++;
    if (result.problems.length < MAX_PROBLEMS)
      result.problems.push(`line ${n}: ${why}`.slice(0, MAX_PROBLEM_CHARS));
  };
  lines.forEach((line, i) => {
    let record: any;
    try {
      record = JSON.parse(line);
    } catch {
      skip(i + 1, 'not JSON');
      return;
    }
    const out = record?.captureData?.endpointOutput;
    if (!out || typeof out.data !== 'string') {
      skip(i + 1, 'no captureData.endpointOutput.data');
      return;
    }
    const type = String(out.observedContentType ?? '');
    if (!/^text\/csv\b/i.test(type)) {
      skip(
        i + 1,
        `output content type ${JSON.stringify(type)} is not text/csv`,
      );
      return;
    }
    if (out.encoding === 'CSV') result.outputs.push(out.data);
    else if (out.encoding === 'BASE64')
      result.outputs.push(Buffer.from(out.data, 'base64').toString('utf8'));
    else skip(i + 1, `unknown encoding ${JSON.stringify(out.encoding)}`);
  });
  return result;
}

/** ES module entry of the AWS model validator; see validate.cjs and validate.py. */
export { validateAwsShapes } from './validate.cjs';

export interface Config {
  mlops?: {
    /** Settings of the `aws` engine (`mlops.engine: aws`). */
    aws?: {
      /** Region of the resources (required for the aws engine); an entity may override it with `mlops.io/aws-region`. */
      region?: string;
      /** Account id whose credentials to use (see @backstage/integration-aws-node). */
      accountId?: string;
      /** Regions `mlops.io/aws-region` may name. Default: `region` only. */
      allowedRegions?: string[];
      /** Accounts `mlops.io/aws-account-id` may name. Default: `accountId` only (none when unset). */
      allowedAccountIds?: string[];
      /** Buckets `mlops.io/data-bucket` may name (bucket names, no s3://). Default: the bucket of `dataBucket` only. */
      allowedDataBuckets?: string[];
      /** How long list results are cached, in seconds. Default 10. */
      listCacheTtlSeconds?: number;
      /** Where uploads are put, as `s3://bucket/prefix` (the data bucket deployed by infra/). */
      dataBucket?: string;
      /**
       * Local directory where an upload (POST …/datasets) is staged while it is validated, before the
       * PutObject; each upload gets its own temp directory, removed afterwards. Default: the OS temp dir.
       */
      uploadStagingDir?: string;
    };
  };
}

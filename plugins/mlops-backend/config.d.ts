export interface Config {
  /** Configuration of the MLOps backend plugin. */
  mlops?: {
    /**
     * Which engine runs the ML system: `local` (built in; trains, stores,
     * deploys and serves on this machine), `aws` (SageMaker, CodePipeline;
     * needs @mlops-portal/plugin-mlops-backend-module-aws) or the type name an
     * installed engine module adds. Default `local`.
     * @visibility frontend
     */
    engine?: string;

    /** Quality gate applied by the ML pipeline's CheckMSE step. */
    qualityGate?: {
      /** Register a model only if its test MSE is at most this. Default 6.0. */
      mseThreshold?: number;
    };

    /** Local engine settings. */
    local?: {
      /** Directory for the data bucket, manifests, run artifacts and model packages (relative to the backend's cwd). Default `.mlops-data`. */
      dataDir?: string;
      /** Data put into the bucket on first start (this triggers the release pipeline). Omit to start empty. */
      seed?: {
        /** Path or http(s) URL of the Abalone CSV. */
        source: string;
        /** Entity the seeded run belongs to (its resources must match these names). */
        entityRef?: string;
        pipelineName?: string;
        modelPackageGroupName?: string;
        endpointName?: string;
        releasePipelineName?: string;
      };
      /** Where the local endpoint serves SageMaker's contract (GET /ping, POST /invocations). */
      endpoint?: {
        /** Serve the endpoint on its own port. Default true; predictions still work through the backend when false. */
        enabled?: boolean;
        /** Default 127.0.0.1. */
        host?: string;
        /** Default 7070; 0 picks a free port. */
        port?: number;
      };
      /**
       * Drop-a-file ingestion: a CSV copied into `<dataDir>/bucket/<pipelineName>/`
       * is validated and starts the release pipeline like an upload.
       */
      bucketWatch?: {
        /** Default true. */
        enabled?: boolean;
        /** A file is taken once its size is unchanged this long (ms). Default 1000. */
        stableMs?: number;
      };
    };

    /** The unauthenticated predict route used by the consumer app. */
    publicApi?: {
      /** Serve POST /v1/public/endpoints/:endpointName/predict. Default true. */
      enabled?: boolean;
      cors?: {
        /** Origins allowed to call the public route, e.g. http://localhost:3001. */
        origins?: string[];
      };
    };
  };
}

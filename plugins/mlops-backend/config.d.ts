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

    /**
     * Which entity owns which ML resource names. Every name (pipeline, model
     * package group, endpoint, release pipeline, data bucket) belongs to
     * exactly one catalog entity: the one listed here, else the first entity
     * that used it (kept in the plugin database). Requests of any other
     * entity naming it are refused with 409 and the owners are notified.
     */
    resourceBindings?: Array<{
      /** e.g. `component:default/abalone-age-predictor` */
      entityRef: string;
      pipeline?: string;
      modelPackageGroup?: string;
      endpoint?: string;
      releasePipeline?: string;
      /** `s3://bucket/prefix/` (aws engine). */
      dataBucket?: string;
    }>;

    /** Live updates (Backstage signals) of runs, versions and deployments. */
    signals?: {
      /**
       * Who gets an entity's signals: `owners` (default: members of the
       * owning group, as resolved by the signals backend) or `everyone`
       * signed in (broadcast; only where every user may read every entity).
       */
      audience?: 'owners' | 'everyone';
    };

    /** Quality gate applied by the ML pipeline's CheckMSE step. */
    qualityGate?: {
      /** Register a model only if its test MSE is at most this. Default 6.0. */
      mseThreshold?: number;
    };

    /**
     * The closed loop: how often the backend looks whether a system's spec
     * `retraining` (cron schedule or drift) asks for a run. One backend
     * instance runs it (a global scheduled task).
     */
    retraining?: {
      /** Seconds between checks, 1–86400. Default 60. */
      checkIntervalSeconds?: number;
    };

    /**
     * How versions get approved: the platform's ceiling. A system's spec
     * `approval` may ask for pre-approval only where `preApprove` is true here.
     */
    approval?: {
      /**
       * Let a run register its version as Approved (`ModelApprovalStatus=Approved`),
       * which skips the owners' review; only callers with `mlops.model.approve`
       * may ask for it. Default false: every version waits for an owner.
       */
      preApprove?: boolean;
      /**
       * Four-eyes rule: whoever started the run that produced a version, or
       * uploaded its data, may not approve it. Default false.
       */
      fourEyes?: boolean;
    };

    /** How approved versions reach endpoints (a system's spec `deployment`). */
    rollout?: {
      /**
       * An approval may carry its own `deployment` strategy (e.g. a canary
       * this once) instead of the spec's. Default true; false refuses such
       * approvals with 403 and every system deploys with its spec's strategy.
       */
      allowOverride?: boolean;
    };

    /** ML system specs, named per entity by the `mlops.io/spec` annotation. */
    specs?: {
      /**
       * Directories whose `.yaml`/`.yml` files may be read as specs of
       * entities defined in `file:` catalog locations (relative to the
       * backend's working directory; symlinks are resolved and must stay
       * inside). Needs `mlopsSpecFileReaderFactory` added to the backend.
       * Default: none, so specs are read only from url locations (SCM
       * integrations, `backend.reading.allow`).
       */
      allowedDirs?: string[];
    };

    /** Data set uploads through the backend (POST /datasets). */
    datasets?: {
      /**
       * Largest body accepted, in bytes; over it, 413. The body is streamed
       * to the engine, so this bounds disk, not memory. Default 536870912 (512 MiB).
       */
      maxUploadBytes?: number;
    };

    /** Local engine settings. */
    local?: {
      /** Directory for the data bucket, manifests, run artifacts and model packages (relative to the backend's cwd). Default `.mlops-data`. */
      dataDir?: string;
      /**
       * ML systems whose data is put into their empty buckets on first start
       * (each upload triggers its release pipeline). Omit to start empty. The
       * single `seed` of earlier releases is refused at start-up: it named no
       * spec, which training now needs.
       */
      seeds?: Array<{
        /** Path of the system's spec file (ml-system.yaml), read at first start. */
        spec: string;
        /** Path of the data file, checked by the spec like an upload (no network). */
        data: string;
        /** Entity the seeded runs belong to; its annotations must name the resources below. */
        entityRef: string;
        pipelineName: string;
        modelPackageGroupName: string;
        endpointName: string;
        releasePipelineName?: string;
        /** Approve and deploy the version the first run registers, so the portal starts serving it. Default false. */
        deploy?: boolean;
      }>;
      /** Where the local endpoint serves SageMaker's contract (GET /ping, POST /invocations). */
      endpoint?: {
        /** Serve the endpoint on its own port. Default true; predictions still work through the backend when false. */
        enabled?: boolean;
        /** Default 127.0.0.1. */
        host?: string;
        /** Default 7070; 0 picks a free port. */
        port?: number;
      };
      /** Capture of served predictions for monitoring (traffic roll-ups + sampled inputs). */
      monitoring?: {
        /** Capture every prediction served. Default true. */
        enabled?: boolean;
        /** Days of roll-ups and captured rows kept. Default 7. */
        retentionDays?: number;
        /** Captured input rows kept per endpoint (newest first, a ring buffer). Default 100000. */
        sampleSize?: number;
        /** Input rows sampled per endpoint and minute at most (a reservoir per flush period), like Data Capture's sampling percentage. Default 6000. */
        samplesPerMinute?: number;
        /** How often captures are written to the database, off the request path. Default 2. */
        flushIntervalSeconds?: number;
      };
    };

    /** Model monitoring: drift of captured inputs and error-rate alerts (both engines). */
    monitoring?: {
      /** Thresholds of ml-core's drift() (PSI and KS distance per feature). */
      drift?: {
        /** Default 0.1. */
        psiWarn?: number;
        /** Default 0.25. */
        psiDrift?: number;
        /** Default 0.1. */
        ksWarn?: number;
        /** Default 0.2. */
        ksDrift?: number;
        /** Fewer captured rows than this → insufficient_data. Default 100. */
        minSamples?: number;
      };
      /** Notify owners when (4xx + 5xx) / invocations in the last hour exceeds this. Default 0.05. */
      errorRateThreshold?: number;
      /** Invocations in the last hour below which the error rate is not judged. Default 20. */
      errorRateMinInvocations?: number;
      /** How often monitoring is evaluated for breach notifications. Default 300. */
      evaluationIntervalSeconds?: number;
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
      /** The Train step (the local counterpart of a training job's instance). */
      training?: {
        /**
         * Threads per training (XGBoost's nthread) when the spec's
         * hyperparameters set none: an integer 1-64. Default: the machine's
         * available parallelism, as XGBoost and SageMaker's XGBoost container
         * use every vCPU. Models do not depend on it.
         */
        threads?: number;
      };
    };

    /**
     * The unauthenticated predict route used by the consumer app. It serves
     * only endpoints whose entity opts in with the annotation
     * `mlops.io/public-predict: "true"`, and checks `mlops.endpoint.invoke`
     * for the anonymous caller; anything else is one uniform 404.
     */
    publicApi?: {
      /** Serve POST /v1/public/endpoints/:endpointName/predict (unauthenticated). Default false. */
      enabled?: boolean;
      /**
       * Reverse proxies in front of the backend that append to
       * X-Forwarded-For (the rate limit then counts the address the
       * outermost one saw). Default 0: the socket's address, right when the
       * backend is reached directly. Behind one proxy set 1, or every caller
       * shares the proxy's limit; never more than there are proxies, or
       * callers can forge their address.
       */
      trustProxyHops?: number;
      /** Per-client limit of the public route; over it, 429 with Retry-After. */
      rateLimit?: {
        /** Length of the window. Default 60. */
        windowSeconds?: number;
        /** Requests per client per window. Default 60. */
        max?: number;
      };
      cors?: {
        /** Origins allowed to call the public route, e.g. http://localhost:3001. */
        origins?: string[];
      };
    };
  };
}

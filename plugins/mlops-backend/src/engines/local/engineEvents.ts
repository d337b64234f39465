import type { LoggerService } from '@backstage/backend-plugin-api';
import type {
  MlopsEngineEvent,
  MlopsEngineEvents,
} from '@mlops-portal/plugin-mlops-node';
import { errorMessage } from './format';
import { ExecutionRecord, toPublicExecution } from './store';

/** In-process event bus: one failing listener never stops the others. */
export class EngineEventBus implements MlopsEngineEvents {
  private readonly listeners = new Set<(e: MlopsEngineEvent) => void>();

  constructor(private readonly logger: LoggerService) {}

  subscribe(listener: (event: MlopsEngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: MlopsEngineEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.logger.warn(`MLOps event listener failed: ${errorMessage(e)}`);
      }
    }
  }

  /** An execution changed: listeners get its public shape. */
  emitExecution(rec: ExecutionRecord): void {
    this.emit({
      type: 'execution',
      resources: rec.resources,
      execution: toPublicExecution(rec),
    });
  }
}

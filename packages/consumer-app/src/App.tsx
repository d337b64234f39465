import { useEffect, useState } from 'react';
import { AppConfig, loadConfig } from './config';
import { PredictForm } from './PredictForm';

type ConfigState =
  | { status: 'loading' }
  | { status: 'ready'; config: AppConfig }
  | { status: 'error'; message: string };

export function App(props: { configUrl?: string }) {
  const { configUrl } = props;
  const [state, setState] = useState<ConfigState>({ status: 'loading' });

  useEffect(() => {
    let cancelled = false;
    loadConfig(configUrl).then(
      config => !cancelled && setState({ status: 'ready', config }),
      (error: Error) =>
        !cancelled && setState({ status: 'error', message: error.message }),
    );
    return () => {
      cancelled = true;
    };
  }, [configUrl]);

  return (
    <>
      <header className="site-header">
        <div className="container">
          <h1>How old is this abalone?</h1>
          <p className="lead">
            Enter a few shell measurements and a model trained on 4,177 measured
            abalone estimates its age, without cutting and staining the shell to
            count its growth rings.
          </p>
        </div>
      </header>
      <main className="container" id="main">
        {state.status === 'loading' && (
          <p role="status" className="muted">
            Loading…
          </p>
        )}
        {state.status === 'error' && (
          <div role="alert" className="notice notice-error">
            <h2>The app could not start</h2>
            <p>
              It could not read its settings ({state.message}). Reload the page;
              if this keeps happening, please tell the site's owner.
            </p>
          </div>
        )}
        {state.status === 'ready' && (
          <PredictForm apiBaseUrl={state.config.apiBaseUrl} />
        )}
      </main>
      <footer className="container site-footer">
        <p className="muted">
          Model: XGBoost regression of ring count on the UCI Abalone data set.
          Predictions are estimates.
        </p>
      </footer>
    </>
  );
}

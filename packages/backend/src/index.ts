/*
 * The portal's backend: only the Backstage plugins this product needs, plus MLOps.
 */
import { createBackend } from '@backstage/backend-defaults';
// A static import: through import() the dev runner's CommonJS interop hid the
// named export (the feature came out undefined and the backend did not start).
import { mlopsSpecFileReaderFactory } from '@mlops-portal/plugin-mlops-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the local demo (see README "Identity in the demo")
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));

// permissions: the demo policy lets only an entity's owners approve, train and upload
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.add(import('@mlops-portal/plugin-mlops-backend'));
// Lets the MLOps plugin read ML system specs next to file-location catalogs.
backend.add(mlopsSpecFileReaderFactory);
// the aws engine (`mlops.engine: aws`); a local-only portal can leave it out
backend.add(import('@mlops-portal/plugin-mlops-backend-module-aws'));

backend.start();

import { isMlopsEntity } from '@mlops-portal/plugin-mlops-common';

/** Legacy-app `if` helper: true when the entity carries the MLOps annotations. */
export const isMlopsAvailable = isMlopsEntity;

export * from './enums';
export * from './status-lattice';
export * from './views';
export * from './requests';
export * from './events';
export * from './provider-catalog';
export * from './templates';

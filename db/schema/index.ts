export * from './accounts.js';
export * from './offers.js';
export * from './organisations.js';
export * from './platform.js';
export * from './requests.js';
export * from './territories.js';

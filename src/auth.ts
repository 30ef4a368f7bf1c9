export * from './auth/index.js'; // transitional

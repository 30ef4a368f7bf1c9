export { EcsInputError } from './errors/input-error.js'; // transitional

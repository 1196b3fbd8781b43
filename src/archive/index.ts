export { type ExtractOptions, type ExtractStats, extractImage } from './extract-image.js';

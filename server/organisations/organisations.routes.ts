import type { App } from '../types.js';

export default async function organisationsRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function matchingRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function requestsRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function offersRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function dashboardRoutes(_app: App) {}

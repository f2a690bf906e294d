import type { App } from '../types.js';

export default async function notificationsRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function adminRoutes(_app: App) {}

import type { App } from '../types.js';

export default async function catalogueRoutes(_app: App) {}

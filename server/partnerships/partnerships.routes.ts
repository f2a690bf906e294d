import type { App } from '../types.js';

export default async function partnershipsRoutes(_app: App) {}

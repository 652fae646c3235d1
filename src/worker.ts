import 'reflect-metadata';
import { launch } from './launcher.js';

// Queue processors, reconciler and outbox relay only (no HTTP).
await launch('worker');

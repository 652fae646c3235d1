import 'reflect-metadata';
import { launch } from './launcher.js';

// MARAK_ROLE=all (default) serves the API and runs the workers; MARAK_ROLE=api serves only.
await launch();

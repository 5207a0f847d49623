// Theme bridge scenarios in headless Chromium (Debian's /usr/bin/chromium via playwright-core).
import { chromiumSession } from './lib/drivers.mjs';
import { scenarios } from './lib/scenarios.mjs';

scenarios('chromium', chromiumSession);

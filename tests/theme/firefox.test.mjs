// Theme bridge scenarios in headless Firefox (Debian's firefox-esr via selenium-webdriver and
// geckodriver).
import { firefoxSession } from './lib/drivers.mjs';
import { scenarios } from './lib/scenarios.mjs';

scenarios('firefox', firefoxSession);

/** Intake's version, as `intake --version` prints it (package.json's `version`; a test keeps them equal). */
export const version = '0.1.0';

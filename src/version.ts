/** The package version, reported as the pack's `version` (a test keeps it equal to package.json). */
export const PACKAGE_VERSION = '1.0.0';

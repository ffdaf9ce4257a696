/** The package name, reported as the pack's `name`, as `SyncPack` asks (a test keeps it equal to package.json). */
export const PACKAGE_NAME = '@absolutejs/sync-pack-presence';

/** The package version, reported as the pack's `version` (a test keeps it equal to package.json). */
export const PACKAGE_VERSION = '1.0.0';

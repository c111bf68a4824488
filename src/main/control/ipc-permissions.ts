// What the desktop window may ask of the system (docs/ARCHITECTURE.md "Security"), as pure
// functions the Electron shell (src/main/index.ts) installs and tests drive with doubles:
// - media (camera, microphone) and display capture are granted only to our own pages — never to
//   another origin a bug or a link might load — and the permission *check* handler agrees;
// - a link opens in the system browser only when it is one the app ships (the presets' help
//   pages); anything else is refused, whatever its scheme.

export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'display-capture']);

export interface PermissionHandlers {
  /** session.setPermissionRequestHandler */
  request: (webContents: { getURL(): string }, permission: string, callback: (granted: boolean) => void, details?: { requestingUrl?: string }) => void;
  /** session.setPermissionCheckHandler */
  check: (webContents: { getURL(): string } | null, permission: string, requestingOrigin: string, details?: { requestingUrl?: string }) => boolean;
}

export function permissionHandlers(isTrustedUrl: (url: string) => boolean, trustedOrigin: (origin: string) => boolean): PermissionHandlers {
  return {
    request: (wc, permission, callback, details) => {
      const url = details?.requestingUrl || wc.getURL();
      callback(GRANTED_PERMISSIONS.has(permission) && isTrustedUrl(url));
    },
    check: (wc, permission, requestingOrigin, details) => {
      if (!GRANTED_PERMISSIONS.has(permission)) return false;
      const url = details?.requestingUrl || wc?.getURL() || '';
      return trustedOrigin(requestingOrigin) && (url === '' || isTrustedUrl(url));
    },
  };
}

/** The links the app ships (presets' docsUrl): the only ones opened outside the window. */
export function externalLinkGuard(allowed: readonly string[], open: (url: string) => void): (url: string) => boolean {
  const set = new Set(allowed.filter((u) => /^https:\/\//.test(u)).map((u) => new URL(u).href));
  return (url: string) => {
    let href: string;
    try {
      href = new URL(url).href;
    } catch {
      return false;
    }
    if (!set.has(href)) return false;
    open(href);
    return true;
  };
}

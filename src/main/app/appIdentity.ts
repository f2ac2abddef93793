// Who the app is to the OS. APP_ID must equal electron-builder.yml's appId: Windows ties
// notifications and the taskbar to the AppUserModelId the NSIS shortcut carries (a test checks).
export const APP_ID = 'dev.switchyard.app'
export const PRODUCT_NAME = 'Switchyard'

/**
 * The AppUserModelId to set on Windows. An unpackaged run has no shortcut carrying APP_ID, so
 * Windows would drop its notifications; the Electron executable's path is what it knows there.
 */
export function appUserModelId(isPackaged: boolean, execPath: string): string {
  return isPackaged ? APP_ID : execPath
}

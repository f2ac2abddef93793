// How the tray behaves on each OS, as data (README "Tray and windows" documents the same):
//   macOS   template icons (the menu bar tints them); a click opens the menu.
//   Windows a click opens the dashboard; a right click opens the menu.
//   Linux   AppIndicator trays (GNOME, Ubuntu) deliver no click events and open the menu on a
//           click, so "Open Dashboard" is the menu's first item; trays that do deliver clicks
//           (XEmbed panels) open the dashboard like Windows.
// And when the window opens by itself: on the first launch, once; later launches start in the
// tray (a second launch, the Dock icon or the tray brings it up).

export interface TrayBehaviour {
  /** Icon flavour; see trayIcon.ts for the files. */
  icons: 'template' | 'ico' | 'png'
  /** A plain click on the icon opens the dashboard, where the tray reports clicks (else the OS shows the menu). */
  clickOpensDashboard: boolean
  /** "Open Dashboard" leads the menu (where a click can only open the menu). */
  openDashboardFirst: boolean
}

export function trayBehaviour(platform: NodeJS.Platform): TrayBehaviour {
  if (platform === 'darwin') return { icons: 'template', clickOpensDashboard: false, openDashboardFirst: false }
  if (platform === 'win32') return { icons: 'ico', clickOpensDashboard: true, openDashboardFirst: false }
  return { icons: 'png', clickOpensDashboard: true, openDashboardFirst: true }
}

export interface LaunchFacts {
  /** Started with --hidden (launch at login on Windows and Linux). */
  hidden: boolean
  /** macOS reported a login-item launch. */
  openedAtLogin: boolean
  /** Another launch asked for the window while we were starting. */
  showRequested: boolean
  /** The dashboard was opened automatically before (settings.json). */
  firstLaunchDone: boolean
}

/** Whether to open the dashboard now, and whether this counts as the first launch having happened. */
export function launchWindowDecision(facts: LaunchFacts): { showWindow: boolean; markFirstLaunchDone: boolean } {
  if (facts.showRequested) return { showWindow: true, markFirstLaunchDone: !facts.firstLaunchDone }
  if (facts.hidden || facts.openedAtLogin) return { showWindow: false, markFirstLaunchDone: false }
  if (!facts.firstLaunchDone) return { showWindow: true, markFirstLaunchDone: true }
  return { showWindow: false, markFirstLaunchDone: false }
}

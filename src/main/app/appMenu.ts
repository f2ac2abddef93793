// The application menu as data. Production builds have no DevTools, reload or View menu on any
// platform; macOS keeps its app, Edit and Window menus (the Edit roles are what make copy, paste
// and undo work in the dashboard's text fields there). Windows and Linux production builds have
// no menu at all (their text fields do not need one). Development runs add View with DevTools.
import type { MenuItemConstructorOptions } from 'electron'

export function applicationMenuTemplate(opts: { platform: NodeJS.Platform; isPackaged: boolean; appName: string }): MenuItemConstructorOptions[] | null {
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }],
  }
  if (opts.platform !== 'darwin') return opts.isPackaged ? null : [view]
  const menu: MenuItemConstructorOptions[] = [
    {
      label: opts.appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'pasteAndMatchStyle' },
        { role: 'delete' },
        { role: 'selectAll' },
      ],
    },
    { label: 'Window', submenu: [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'close' }] },
  ]
  if (!opts.isPackaged) menu.splice(2, 0, view)
  return menu
}

/** Every role in a template, submenus included (tests and a start-up assertion read this). */
export function menuRoles(template: MenuItemConstructorOptions[] | null): string[] {
  const roles: string[] = []
  const walk = (items: MenuItemConstructorOptions[]): void => {
    for (const item of items) {
      if (item.role) roles.push(item.role)
      if (Array.isArray(item.submenu)) walk(item.submenu)
    }
  }
  walk(template ?? [])
  return roles
}

// Light, dark or the system's choice: kept per browser/window in localStorage.
export const THEME_CHOICES = ['system', 'light', 'dark'] as const
export type ThemeChoice = (typeof THEME_CHOICES)[number]
const KEY = 'switchyard.theme'

export function loadThemeChoice(storage: Pick<Storage, 'getItem'> | undefined): ThemeChoice {
  try {
    const v = storage?.getItem(KEY)
    return (THEME_CHOICES as readonly string[]).includes(v ?? '') ? (v as ThemeChoice) : 'system'
  } catch {
    return 'system'
  }
}

export function saveThemeChoice(storage: Pick<Storage, 'setItem'> | undefined, choice: ThemeChoice): void {
  try {
    storage?.setItem(KEY, choice)
  } catch {
    // storage disabled: the choice lasts for this window
  }
}

export function isDark(choice: ThemeChoice, os: 'light' | 'dark' | null | undefined): boolean {
  return choice === 'dark' || (choice === 'system' && os === 'dark')
}

// Copy to the clipboard with a short-lived "Copied" state per item.
import { onUnmounted, ref, type Ref } from 'vue'

export function useClipboard(resetMs = 1500): { copied: Ref<string | undefined>; failed: Ref<string | undefined>; copy(text: string, id?: string): Promise<boolean> } {
  const copied = ref<string>()
  const failed = ref<string>()
  let timer: ReturnType<typeof setTimeout> | undefined
  onUnmounted(() => clearTimeout(timer))
  return {
    copied,
    failed,
    async copy(text, id = text) {
      clearTimeout(timer)
      try {
        await navigator.clipboard.writeText(text)
        copied.value = id
        failed.value = undefined
        timer = setTimeout(() => (copied.value = undefined), resetMs)
        return true
      } catch {
        // clipboard refused (permissions, insecure context): the text stays selectable
        failed.value = id
        copied.value = undefined
        return false
      }
    },
  }
}

// The current screen, kept in the address-bar hash so reloads and the back button work.
import { onMounted, onUnmounted, ref, type Ref } from 'vue'
import { hashFor, viewFromHash, type ViewId } from '../logic/navigation'

export function useNavigation(win: Window = window): { view: Ref<ViewId>; navigate(view: ViewId): void } {
  const view = ref<ViewId>(viewFromHash(win.location.hash))
  const sync = (): void => {
    view.value = viewFromHash(win.location.hash)
  }
  onMounted(() => win.addEventListener('hashchange', sync))
  onUnmounted(() => win.removeEventListener('hashchange', sync))
  return {
    view,
    navigate(next) {
      view.value = next
      if (win.location.hash !== hashFor(next)) win.location.hash = hashFor(next)
    },
  }
}

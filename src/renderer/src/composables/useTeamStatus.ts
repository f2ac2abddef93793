// The team card's data: shared state, live instances and key pools, read every 5 s while the
// card is shown (the endpoint reads the admission snapshot; nothing streams it).
import { onMounted, onUnmounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue'
import type { TeamStatusView } from '../../../shared/api'
import { errorMessage, type UiClient } from '../api/types'

export function useTeamStatus(client: UiClient, everyMs = 5_000): { team: ShallowRef<TeamStatusView | undefined>; error: Ref<string | undefined>; load(): Promise<void> } {
  const team = shallowRef<TeamStatusView>()
  const error = ref<string>()
  let timer: ReturnType<typeof setInterval> | undefined
  async function load(): Promise<void> {
    try {
      team.value = await client.getTeamStatus()
      error.value = undefined
    } catch (err) {
      error.value = errorMessage(err)
    }
  }
  onMounted(() => {
    void load()
    timer = setInterval(() => void load(), everyMs)
  })
  onUnmounted(() => clearInterval(timer))
  return { team, error, load }
}

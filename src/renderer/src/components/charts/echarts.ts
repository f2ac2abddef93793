// Only the ECharts parts the dashboard draws (tree-shaken: line and bar charts on canvas).
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import { BarChart, LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { useThemeVars } from 'naive-ui'
import { computed, type ComputedRef } from 'vue'

use([CanvasRenderer, LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent])

/** Series colours that read on light and dark backgrounds. */
export const PALETTE = ['#1aa892', '#4c8df6', '#e0a21a', '#a76ee8', '#e0605a', '#6bbf4e', '#8a94a6']

export interface ChartTheme {
  text: string
  muted: string
  grid: string
  tooltipBg: string
  tooltipBorder: string
}

export function useChartTheme(): ComputedRef<ChartTheme> {
  const vars = useThemeVars()
  return computed(() => ({
    text: vars.value.textColor2,
    muted: vars.value.textColor3,
    grid: vars.value.dividerColor,
    tooltipBg: vars.value.popoverColor,
    tooltipBorder: vars.value.borderColor,
  }))
}

// The one MUI v4 import of backstage-wasm-auth/theme, typed structurally so that the package
// neither builds against nor publishes MUI's types (@material-ui/core is an optional peer: every
// Backstage app has it through @backstage/core-components and @backstage/theme).
declare module '@material-ui/core' {
  /** MUI v4's theme hook: the nearest ThemeProvider's theme, or MUI's default theme. */
  export function useTheme<T = unknown>(): T;
}

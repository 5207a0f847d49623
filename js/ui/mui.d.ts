// The MUI v4 imports of backstage-wasm-auth/ui, typed structurally (as js/theme/mui.d.ts does for
// useTheme, with which this declaration merges): the package neither builds against nor
// publishes MUI's types (@material-ui/core is an optional peer every Backstage app has).
declare module '@material-ui/core' {
  type MuiProps = { [prop: string]: unknown; children?: import('react').ReactNode };
  export const Button: import('react').ComponentType<MuiProps>;
  export const Dialog: import('react').ComponentType<MuiProps>;
  export const DialogActions: import('react').ComponentType<MuiProps>;
  export const DialogContent: import('react').ComponentType<MuiProps>;
  export const DialogContentText: import('react').ComponentType<MuiProps>;
  export const DialogTitle: import('react').ComponentType<MuiProps>;
  export const Snackbar: import('react').ComponentType<MuiProps>;
  export const SnackbarContent: import('react').ComponentType<MuiProps>;
  /** MUI v4's makeStyles, for a theme-dependent style sheet. */
  export function makeStyles<T>(styles: (theme: T) => Record<string, Record<string, unknown>>): () => Record<string, string>;
}

export function AutoLendPage() {
  return <h1>AutoLendPage</h1>;
}

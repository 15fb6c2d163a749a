export function MyLoans() {
  return <h1>MyLoans</h1>;
}

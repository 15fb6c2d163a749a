export function NewListing() {
  return <h1>NewListing</h1>;
}

/**
 * A FIFO of task ids that never shifts an array: taken ids advance a head index, and the
 * array is compacted once most of it has been taken.
 */
export class IdQueue {
  private items: string[] = [];
  private head = 0;

  push(id: string): void {
    this.items.push(id);
  }

  take(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const id = this.items[this.head++] as string;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return id;
  }
}

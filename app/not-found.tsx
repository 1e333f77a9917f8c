import Link from "next/link";
import { Card } from "@/components/card";

export default function NotFound() {
  return (
    <Card title="Page not found" description="There's nothing at this address.">
      <Link href="/" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Go to the home page
      </Link>
    </Card>
  );
}

"use client";

import Link from "next/link";
import { Button } from "@/components/button";
import { Card } from "@/components/card";

/** Whatever failed on the server, the person sees this, never a stack trace. */
export default function ErrorPage({ retry }: { error: Error & { digest?: string }; reset: () => void; retry: () => void }) {
  return (
    <Card title="Something went wrong on our side" description="We couldn't finish that just now. Nothing was changed. Please try again in a moment.">
      {/* retry, not reset: the failure was on the server (a backend down), so fetch the page again. */}
      <Button onClick={() => retry()}>Try again</Button>
      <Link href="/" className="text-center font-medium text-indigo-700 underline dark:text-indigo-300">
        Go to the home page
      </Link>
    </Card>
  );
}

import { PageHeader } from '../components/ui';

const WHAT: Record<string, { title: string; what: string }> = {
  deployments: { title: 'Deployments', what: 'Create endpoints, split traffic between versions, shadow and canary, roll back in one click, test-score, batch jobs and schedules.' },
  compare: { title: 'Compare versions', what: 'Pick versions and see their metrics side by side with deltas, and their curves overlaid.' },
  policies: { title: 'Approval policy', what: 'Required roles, number of approvers and metric gates for your business unit.' },
};

/** A page whose API has not landed yet: says so plainly, shows no made-up data. */
export function NotAvailablePage({ area }: { area: keyof typeof WHAT }) {
  const page = WHAT[area];
  return (
    <>
      <PageHeader title={page.title} />
      <div className="empty" role="status">
        <h2>Not available yet</h2>
        <p>{page.what}</p>
        <p>The platform's API does not offer this yet; this page fills in as soon as it does.</p>
      </div>
    </>
  );
}

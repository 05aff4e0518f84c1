"""Azure Resource Manager: routing, errors, resource groups, deployments."""
